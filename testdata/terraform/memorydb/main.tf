resource "aws_memorydb_parameter_group" "ledger" {
  name   = "ledger"
  family = "memorydb_redis7"

  parameter {
    name  = "activedefrag"
    value = "yes"
  }
}

resource "aws_memorydb_cluster" "ledger" {
  acl_name                 = "open-access"
  name                     = "ledger"
  node_type                = "db.t4g.small"
  num_shards               = 2
  engine_version           = "7.1"
  parameter_group_name     = aws_memorydb_parameter_group.ledger.id
  snapshot_retention_limit = 7
}
