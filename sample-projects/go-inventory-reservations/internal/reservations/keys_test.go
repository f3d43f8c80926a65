package reservations

import "testing"

func TestKeysOfOneSKUShareAHashTag(t *testing.T) {
	keys := []string{stockKey("SKU-42"), reservationKey("SKU-42", "r-1"), eventsKey("SKU-42")}
	want := []string{"stock:{SKU-42}", "resv:{SKU-42}:r-1", "events:{SKU-42}"}
	for i := range keys {
		if keys[i] != want[i] {
			t.Errorf("key %d = %q, want %q", i, keys[i], want[i])
		}
	}
}
