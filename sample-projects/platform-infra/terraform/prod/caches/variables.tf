variable "vpc_id" {
  type    = string
  default = "vpc-0b7e4d2a9c1f35e60"
}

variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-04c1d9e2a7b3f5061", "subnet-0e9a3f6b2d8c71450", "subnet-0a5d7c3e1f9b26480"]
}

variable "app_security_group_ids" {
  description = "Security groups of the EKS node groups that run the services"
  type        = list(string)
  default     = ["sg-0d3a9e7c5b1f24680"]
}
