resource "aws_elasticache_replication_group" "broken" {
  replication_group_id = "broken"
  engine               = "redis"
  node_type            = "cache.t3.small"
