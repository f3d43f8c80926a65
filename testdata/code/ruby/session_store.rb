require "redis"

# Session store that keeps JSON documents and a bloom filter.
class SessionStore
  def initialize(url)
    @redis = Redis.new(url: url)
  end

  def save(id, doc)
    @redis.call("JSON.SET", "session:#{id}", "$", doc.to_json) # expect: JSON.SET
    @redis.call("BF.ADD", "sessions:seen", id) # expect: BF.ADD
    @redis.call(["cf.add", "sessions:cuckoo", id]) # expect: CF.ADD
    @redis.hexpire("session:#{id}", 3600, "FIELDS", 1, "token") # expect: HEXPIRE
  end

  def recent
    script = <<~LUA
      return redis.call('FT.SEARCH', KEYS[1], ARGV[1]) -- expect: FT.SEARCH
    LUA
    @redis.eval(script, keys: ["idx:sessions"], argv: ["*"])
  end
end
