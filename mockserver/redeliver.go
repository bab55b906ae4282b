package mockserver

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/prismhook/prismhook/mockserver/delivery"
)

// redeliverDelivery sends a delivery of the log again now (same bytes,
// signature and id), recorded as a manual attempt.
func (s *Server) redeliverDelivery(c *call) (int, any, error) {
	id := c.params["id"]
	d, ok := s.engine.Get(id)
	if !ok {
		return 0, nil, errorf(http.StatusNotFound, "no delivery %s", id)
	}
	// With API keys, another key's delivery is "not found" too.
	if err := s.ownsDelivery(c, d); err != nil {
		return 0, nil, err
	}
	d, _, err := s.engine.Redeliver(c.r.Context(), id)
	switch {
	case errors.Is(err, delivery.ErrNotFound):
		return 0, nil, errorf(http.StatusNotFound, "no delivery %s", id)
	case err != nil:
		return 0, nil, fmt.Errorf("redelivering: %w", err)
	}
	return http.StatusOK, deliveriesView([]delivery.Delivery{d}).Data[0], nil
}
