package reservations

import "fmt"

// Every key of one SKU shares the hash tag {sku}, so the reservation script touches a single
// cluster slot (MemoryDB rejects multi-slot scripts with CROSSSLOT).

func stockKey(sku string) string { return fmt.Sprintf("stock:{%s}", sku) }

func reservationKey(sku, id string) string { return fmt.Sprintf("resv:{%s}:%s", sku, id) }

func eventsKey(sku string) string { return fmt.Sprintf("events:{%s}", sku) }
