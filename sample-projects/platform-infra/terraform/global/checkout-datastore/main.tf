# Checkout carts and payment intents, readable in both regions: an ElastiCache global
# datastore with the primary in Ireland and a read-only secondary in Virginia.

resource "aws_elasticache_replication_group" "checkout_eu" {
  replication_group_id       = "checkout-eu"
  description                = "Checkout (primary, eu-west-1)"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = "cache.r7g.xlarge"
  num_node_groups            = 2
  replicas_per_node_group    = 1
  automatic_failover_enabled = true
  multi_az_enabled           = true
  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  parameter_group_name       = "default.redis7.cluster.on"
}

resource "aws_elasticache_global_replication_group" "checkout" {
  global_replication_group_id_suffix   = "checkout"
  global_replication_group_description = "Checkout carts and payment intents (EU primary, US secondary)"
  primary_replication_group_id         = aws_elasticache_replication_group.checkout_eu.id
}

resource "aws_elasticache_replication_group" "checkout_us" {
  provider = aws.us

  replication_group_id        = "checkout-us"
  description                 = "Checkout (secondary, us-east-1)"
  global_replication_group_id = aws_elasticache_global_replication_group.checkout.global_replication_group_id
  num_node_groups             = 2
  replicas_per_node_group     = 1
  automatic_failover_enabled  = true
  multi_az_enabled            = true
}
