resource "azurerm_redis_cache" "web" {
  name                = "web-cache"
  location            = "westeurope"
  resource_group_name = "rg-web"
  capacity            = 1
  family              = "C"
  sku_name            = "Standard"
  redis_version       = "6"
  minimum_tls_version = "1.2"
}

resource "azurerm_managed_redis" "analytics" {
  name                = "analytics"
  resource_group_name = "rg-web"
  location            = "westeurope"
  sku_name            = "Balanced_B3"
}
