resource "google_redis_instance" "cache" {
  name           = "memory-cache"
  tier           = "STANDARD_HA"
  memory_size_gb = 5
  redis_version  = "REDIS_7_2"
  region         = "europe-west1"

  redis_configs = {
    maxmemory-policy = "allkeys-lru"
  }
}

resource "google_redis_cluster" "events" {
  name        = "events"
  shard_count = 3
  node_type   = "REDIS_HIGHMEM_MEDIUM"
  region      = "europe-west1"
}

resource "google_memorystore_instance" "new" {
  instance_id    = "valkey-cache"
  shard_count    = 1
  location       = "europe-west1"
  engine_version = "VALKEY_8_0"
  mode           = "CLUSTER_DISABLED"
}
