resource "aws_elasticache_user" "default" {
  user_id              = "sessions-default"
  user_name            = "default"
  access_string        = "off -@all"
  engine               = "redis"
  no_password_required = true
}

resource "aws_elasticache_user" "app" {
  user_id       = "sessions-app"
  user_name     = "app"
  access_string = "on ~session:* +@all"
  engine        = "valkey"

  authentication_mode {
    type = "no-password-required"
  }
}

resource "aws_elasticache_user_group" "sessions" {
  engine        = "REDIS"
  user_group_id = "sessions"
  user_ids      = [aws_elasticache_user.default.user_id, aws_elasticache_user.app.user_id]
}
