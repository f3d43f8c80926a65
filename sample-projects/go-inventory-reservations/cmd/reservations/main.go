package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/acme/inventory-reservations/internal/reservations"
	"github.com/acme/inventory-reservations/internal/store"
)

type reserveRequest struct {
	SKU string `json:"sku"`
	ID  string `json:"id"`
	Qty int    `json:"qty"`
}

func main() {
	cfg, err := store.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	rdb := store.NewClient(cfg)
	defer rdb.Close()

	svc := reservations.NewService(rdb, 10*time.Minute)
	mux := http.NewServeMux()

	mux.HandleFunc("POST /reservations", func(w http.ResponseWriter, r *http.Request) {
		var req reserveRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.SKU == "" || req.ID == "" || req.Qty <= 0 {
			http.Error(w, "sku, id and a positive qty are required", http.StatusBadRequest)
			return
		}
		switch err := svc.Reserve(r.Context(), req.SKU, req.ID, req.Qty); {
		case errors.Is(err, reservations.ErrOutOfStock):
			http.Error(w, err.Error(), http.StatusConflict)
		case err != nil:
			log.Printf("reserve %s: %v", req.SKU, err)
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusCreated)
		}
	})

	mux.HandleFunc("POST /reservations/{sku}/{id}/confirm", func(w http.ResponseWriter, r *http.Request) {
		finish(w, r, svc.Confirm)
	})
	mux.HandleFunc("DELETE /reservations/{sku}/{id}", func(w http.ResponseWriter, r *http.Request) {
		finish(w, r, svc.Cancel)
	})

	mux.HandleFunc("GET /stock/{sku}", func(w http.ResponseWriter, r *http.Request) {
		st, err := svc.Stock(r.Context(), r.PathValue("sku"))
		if err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(st)
	})

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), time.Second)
		defer cancel()
		if err := rdb.Ping(ctx).Err(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}
	})

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			log.Fatal(err)
		}
	}()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(ctx)
}

func finish(w http.ResponseWriter, r *http.Request, op func(context.Context, string, string) (int, error)) {
	qty, err := op(r.Context(), r.PathValue("sku"), r.PathValue("id"))
	switch {
	case err != nil:
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
	case qty == 0:
		http.Error(w, "no such reservation (expired?)", http.StatusNotFound)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}
