variable "environment" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

variable "app_password" {
  description = "Password of the service's MemoryDB user (from Secrets Manager in CI)"
  type        = string
  sensitive   = true
}

locals {
  name = "inventory-${var.environment}"
}

resource "aws_memorydb_subnet_group" "inventory" {
  name       = local.name
  subnet_ids = var.subnet_ids
}

resource "aws_memorydb_parameter_group" "inventory" {
  name   = "${local.name}-params"
  family = "memorydb_redis7"

  # Stock must never be evicted: writes fail instead when memory runs out.
  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }
}

resource "aws_memorydb_user" "app" {
  user_name     = "inventory-app"
  access_string = "on ~stock:* ~resv:* ~events:* +@all -@dangerous"

  authentication_mode {
    type      = "password"
    passwords = [var.app_password]
  }
}

resource "aws_memorydb_acl" "inventory" {
  name       = local.name
  user_names = [aws_memorydb_user.app.user_name]
}

resource "aws_memorydb_cluster" "inventory" {
  name                     = local.name
  engine_version           = "7.1"
  node_type                = "db.r7g.large"
  num_shards               = 2
  num_replicas_per_shard   = 1
  acl_name                 = aws_memorydb_acl.inventory.name
  parameter_group_name     = aws_memorydb_parameter_group.inventory.name
  subnet_group_name        = aws_memorydb_subnet_group.inventory.name
  security_group_ids       = var.security_group_ids
  tls_enabled              = true
  snapshot_retention_limit = 7
  maintenance_window       = "sun:02:00-sun:03:00"
}

output "cluster_endpoint" {
  value = "${aws_memorydb_cluster.inventory.cluster_endpoint[0].address}:${aws_memorydb_cluster.inventory.cluster_endpoint[0].port}"
}
