resource "aws_elasticache_replication_group" "legacy" {
  replication_group_id = "legacy"
  description          = "legacy"
  engine               = "redis"
  engine_version       = "5.0.5"
  node_type            = "cache.m3.medium"
  num_cache_clusters   = 2
  parameter_group_name = "default.redis5.0"
}
