require "json"

# Decoy: JSON and time-series words in plain Ruby.
class Report
  TS = Struct.new(:at, :value)

  def render(points)
    data = JSON.parse(JSON.generate(points.map { |p| TS.new(p[:at], p[:value]).to_h }))
    label = "TS.ADD would be the command for this in RedisTimeSeries"
=begin
    "FT.SEARCH"
=end
    [data, label, 'VCARD']
  end
end
