resource "aws_elasticache_cluster" "single" {
  cluster_id               = "jobs"
  engine                   = "redis"
  engine_version           = "6.x"
  node_type                = "cache.t3.small"
  num_cache_nodes          = 1
  parameter_group_name     = "default.redis6.x"
  snapshot_retention_limit = 5
}

resource "aws_elasticache_replication_group" "rg" {
  replication_group_id = "jobs-rg"
  description          = "jobs"
  node_type            = "cache.m8g.large"
  num_cache_clusters   = 1
}

resource "aws_elasticache_cluster" "replica" {
  cluster_id           = "jobs-rg-003"
  replication_group_id = aws_elasticache_replication_group.rg.id
}

resource "aws_elasticache_cluster" "memcached" {
  cluster_id      = "fragments"
  engine          = "memcached"
  node_type       = "cache.t3.small"
  num_cache_nodes = 2
}
