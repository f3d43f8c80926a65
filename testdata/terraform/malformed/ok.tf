resource "aws_elasticache_replication_group" "fine" {
  replication_group_id = "fine"
  description          = "fine"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = "cache.t3.small"
}
