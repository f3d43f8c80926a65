provider "aws" {
  region = "eu-west-1"
}

provider "aws" {
  alias  = "secondary"
  region = "us-east-1"
}

resource "aws_elasticache_replication_group" "primary" {
  replication_group_id = "orders-primary"
  description          = "orders primary"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = "cache.r7g.large"
  num_cache_clusters   = 2
}

resource "aws_elasticache_global_replication_group" "orders" {
  global_replication_group_id_suffix = "orders"
  primary_replication_group_id       = aws_elasticache_replication_group.primary.id
}

resource "aws_elasticache_replication_group" "secondary" {
  provider = aws.secondary

  replication_group_id        = "orders-secondary"
  description                 = "orders secondary"
  global_replication_group_id = aws_elasticache_global_replication_group.orders.global_replication_group_id
  num_cache_clusters          = 1
}
