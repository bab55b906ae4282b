package delivery

import "github.com/prismhook/prismhook/internal/wire"

// Names of the shared one-shot core (internal/wire) that this package's
// public API shows: Delivery.Fault, Attempt.ErrorKind, Options.Sender, the
// Exchange that Redeliver and SendTest return, Engine.Sender. They are
// aliases so that users of mockserver/prismtest can name them
// (delivery.Fault …) without importing an internal package.
type (
	Fault         = wire.Fault
	ErrKind       = wire.ErrKind
	Exchange      = wire.Exchange
	Message       = wire.Message
	Sender        = wire.Sender
	SenderOptions = wire.SenderOptions
)
