# Two global datastores: one on the default group of its cluster mode, one on a custom group.

resource "aws_elasticache_replication_group" "carts_eu" {
  replication_group_id    = "carts-eu"
  description             = "Carts (primary)"
  engine                  = "redis"
  engine_version          = "7.1"
  node_type               = "cache.r7g.large"
  num_node_groups         = 2
  replicas_per_node_group = 1
  parameter_group_name    = "default.redis7.cluster.on"
}

resource "aws_elasticache_global_replication_group" "carts" {
  global_replication_group_id_suffix = "carts"
  primary_replication_group_id       = aws_elasticache_replication_group.carts_eu.id
}

resource "aws_elasticache_replication_group" "carts_us" {
  provider = aws.us

  replication_group_id        = "carts-us"
  description                 = "Carts (secondary)"
  global_replication_group_id = aws_elasticache_global_replication_group.carts.global_replication_group_id
  num_node_groups             = 2
  replicas_per_node_group     = 1
}

resource "aws_elasticache_parameter_group" "pricing" {
  name   = "pricing-${terraform.workspace}-redis7"
  family = "redis7"

  parameter {
    name  = "maxmemory-policy"
    value = "allkeys-lfu"
  }

  parameter {
    name  = "lazyfree-lazy-expire"
    value = "yes"
  }
}

resource "aws_elasticache_replication_group" "pricing_eu" {
  replication_group_id = "pricing-eu"
  description          = "Pricing (primary)"
  engine               = "redis"
  engine_version       = "7.1"
  node_type            = "cache.r7g.large"
  num_cache_clusters   = 2
  parameter_group_name = aws_elasticache_parameter_group.pricing.name
}

resource "aws_elasticache_global_replication_group" "pricing" {
  global_replication_group_id_suffix = "pricing"
  primary_replication_group_id       = aws_elasticache_replication_group.pricing_eu.id
}
