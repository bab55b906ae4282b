package store

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/prismhook/prismhook/internal/wire"
	"github.com/prismhook/prismhook/mockserver/delivery"
)

// Bolt is a Store and a delivery.Journal kept in one bbolt file. Every write
// is its own transaction, and bbolt syncs the file when a transaction
// commits: a write that returned nil survives the process being killed.
// Values are JSON, so a data file can be inspected with ordinary tools.
//
// Secondary lookups (by owner, by event, unfinished generations) scan their
// bucket: the mock's state is small, and a scan cannot disagree with the data.
type Bolt struct {
	db *bolt.DB
}

var _ delivery.Journal = (*Bolt)(nil)

// lockTimeout bounds the wait for the file lock. bbolt would otherwise wait
// forever for a file another process holds open.
const lockTimeout = 250 * time.Millisecond

// dataFormat marks a file as prismhook's, so that another program's bbolt
// database is refused instead of being written into.
const dataFormat = "prismhook/1"

var (
	bucketMeta        = []byte("meta")
	bucketWebhooks    = []byte("webhooks")
	bucketGenerations = []byte("generations")
	bucketDeliveries  = []byte("deliveries")

	dataBuckets = [][]byte{bucketWebhooks, bucketGenerations, bucketDeliveries}
	keyFormat   = []byte("format")
)

// Open opens the data file at path, creating it if it does not exist. It
// fails with a clear error when the file is held by another process, is
// not a prismhook data file, or is damaged (empty, truncated, pages
// overwritten): a damaged file is never started afresh or written to.
func Open(path string) (*Bolt, error) {
	if path == "" {
		return nil, errors.New("store: data file path is empty")
	}
	// bbolt initialises an empty file as a new database: that would
	// silently replace what should have been there.
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		return nil, fmt.Errorf("store: data file %s is empty, not a prismhook data file (damaged? remove it to start afresh)", path)
	}
	db, err := openChecked(path)
	if err != nil {
		return nil, err
	}
	if err := db.Update(initBuckets); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: data file %s: %w", path, err)
	}
	return &Bolt{db: db}, nil
}

// openChecked opens path with bbolt and verifies the file before anything
// is written to it. A truncated file makes bbolt read past its end, which
// is a memory fault: it is turned into an error rather than a crash.
func openChecked(path string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			// The half-opened handle cannot be closed safely; the
			// process is about to refuse to start anyway.
			db, err = nil, fmt.Errorf("store: data file %s is damaged (%v); not a prismhook data file this version can read", path, p)
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("store: data file %s is in use by another process", path)
	case errors.As(err, new(*fs.PathError)):
		return nil, fmt.Errorf("store: open data file: %w", err)
	case err != nil:
		// bbolt's other refusals (invalid, checksum, version, "file size
		// too small") all mean the bytes are not a database it can read.
		return nil, fmt.Errorf("store: data file %s is not a prismhook data file (not a bbolt database: %v)", path, err)
	}
	if err := verify(db, path); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// verify checks that the file holds every page its header promises and
// that the pages form a consistent database.
func verify(db *bolt.DB, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("store: data file %s: %w", path, err)
	}
	return db.View(func(tx *bolt.Tx) error {
		if want := tx.Size(); fi.Size() < want {
			return fmt.Errorf("store: data file %s is truncated (%d of %d bytes); not starting from a damaged file", path, fi.Size(), want)
		}
		for cerr := range tx.Check() {
			// Drain the channel so that the checker's goroutine ends.
			if err == nil {
				err = fmt.Errorf("store: data file %s is damaged (%v); not starting from a damaged file", path, cerr)
			}
		}
		return err
	})
}

// initBuckets creates the buckets of a new file and checks the format mark
// of an existing one.
func initBuckets(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if err := tx.ForEach(func([]byte, *bolt.Bucket) error { return errForeign }); err != nil {
			return err
		}
		var err error
		if meta, err = tx.CreateBucket(bucketMeta); err != nil {
			return err
		}
		if err := meta.Put(keyFormat, []byte(dataFormat)); err != nil {
			return err
		}
	}
	if f := string(meta.Get(keyFormat)); f != dataFormat {
		return fmt.Errorf("format %q is not the format this version reads (%q)", f, dataFormat)
	}
	for _, name := range dataBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

var errForeign = errors.New("a bbolt database of another program, not a prismhook data file")

// Close releases the file and its lock.
func (s *Bolt) Close() error { return s.db.Close() }

// webhookRecord keeps the creation order, which random ids do not give.
type webhookRecord struct {
	Webhook
	Seq uint64 `json:"seq"`
}

// CreateWebhook stores a new webhook; an existing id is an error.
func (s *Bolt) CreateWebhook(w Webhook) error {
	if w.ID == "" {
		return errNoID
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebhooks)
		if b.Get([]byte(w.ID)) != nil {
			return fmt.Errorf("store: webhook %s already exists", w.ID)
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		return putJSON(b, w.ID, webhookRecord{Webhook: w, Seq: seq})
	})
}

// Webhook returns the webhook with this id, or ErrNotFound.
func (s *Bolt) Webhook(id string) (Webhook, error) {
	var rec webhookRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketWebhooks).Get([]byte(id))
		if v == nil {
			return notFound("webhook", id)
		}
		return decode("webhook", id, v, &rec)
	})
	return rec.Webhook, err
}

// Webhooks lists the owner's webhooks, oldest first.
func (s *Bolt) Webhooks(owner string) ([]Webhook, error) {
	return s.webhooks(func(w Webhook) bool { return w.Owner == owner })
}

// AllWebhooks lists every webhook, oldest first.
func (s *Bolt) AllWebhooks() ([]Webhook, error) {
	return s.webhooks(func(Webhook) bool { return true })
}

// Subscribers lists the owner's webhooks subscribed to the event type,
// oldest first.
func (s *Bolt) Subscribers(owner, event string) ([]Webhook, error) {
	return s.webhooks(func(w Webhook) bool { return subscribed(w, owner, event) })
}

func (s *Bolt) webhooks(keep func(Webhook) bool) ([]Webhook, error) {
	var found []webhookRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketWebhooks).ForEach(func(k, v []byte) error {
			var rec webhookRecord
			if err := decode("webhook", string(k), v, &rec); err != nil {
				return err
			}
			if keep(rec.Webhook) {
				found = append(found, rec)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(found, func(a, b webhookRecord) int { return cmp.Compare(a.Seq, b.Seq) })
	out := make([]Webhook, len(found))
	for i, rec := range found {
		out[i] = rec.Webhook
	}
	return out, nil
}

// DeleteWebhook removes a webhook, or returns ErrNotFound.
func (s *Bolt) DeleteWebhook(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebhooks)
		if b.Get([]byte(id)) == nil {
			return notFound("webhook", id)
		}
		return b.Delete([]byte(id))
	})
}

// PutGeneration creates or replaces a generation.
func (s *Bolt) PutGeneration(g Generation) error {
	if g.ID == "" {
		return errNoID
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketGenerations), g.ID, g)
	})
}

// Generation returns the generation with this id, or ErrNotFound.
func (s *Bolt) Generation(id string) (Generation, error) {
	var g Generation
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketGenerations).Get([]byte(id))
		if v == nil {
			return notFound("generation", id)
		}
		return decode("generation", id, v, &g)
	})
	return g, err
}

// Unfinished lists the generations whose terminal event was not emitted,
// oldest first.
func (s *Bolt) Unfinished() ([]Generation, error) {
	var out []Generation
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketGenerations).ForEach(func(k, v []byte) error {
			var g Generation
			if err := decode("generation", string(k), v, &g); err != nil {
				return err
			}
			if !g.Emitted {
				out = append(out, g)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sortGenerations(out)
	return out, nil
}

// Reset forgets webhooks, generations and journaled deliveries.
func (s *Bolt) Reset() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, name := range dataBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
}

// deliveryRecord is a journaled delivery. Delivery's JSON form leaves out
// what must never reach an API answer; the journal needs exactly that to
// resend after a restart, so it is kept beside it.
type deliveryRecord struct {
	Delivery delivery.Delivery `json:"delivery"`
	Secret   string            `json:"secret"`
	Body     []byte            `json:"body"`
	Fault    wire.Fault        `json:"fault,omitempty"`
	Owner    string            `json:"owner,omitempty"`
}

// SaveDelivery creates or replaces a journaled delivery.
func (s *Bolt) SaveDelivery(d delivery.Delivery) error {
	if d.ID == "" {
		return errNoID
	}
	rec := deliveryRecord{Delivery: d, Secret: d.Secret, Body: d.Body, Fault: d.Fault, Owner: d.Owner}
	return s.db.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketDeliveries), d.ID, rec)
	})
}

// DeleteDelivery removes a journaled delivery; an unknown id is not an
// error, since retention may evict what a reset already dropped.
func (s *Bolt) DeleteDelivery(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDeliveries).Delete([]byte(id))
	})
}

// LoadDeliveries returns every journaled delivery, oldest first.
func (s *Bolt) LoadDeliveries() ([]delivery.Delivery, error) {
	var out []delivery.Delivery
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDeliveries).ForEach(func(k, v []byte) error {
			var rec deliveryRecord
			if err := decode("delivery", string(k), v, &rec); err != nil {
				return err
			}
			d := rec.Delivery
			d.Secret, d.Body, d.Fault, d.Owner = rec.Secret, rec.Body, rec.Fault, rec.Owner
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b delivery.Delivery) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func putJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", key, err)
	}
	return b.Put([]byte(key), data)
}

// decode is used inside transactions only: json.Unmarshal copies what it
// keeps, so nothing refers to bbolt's memory after the transaction ends.
func decode(kind, id string, data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("store: %s %s: corrupt record: %w", kind, id, err)
	}
	return nil
}
