package receiver

// Standalone reports whether the defect shows on its own in a receiver
// served by NewHandler over plain HTTP, as `prismhook receiver --defect`
// serves it. Defects of the server (header spelling on the wire, TLS) need
// Start; plain-http is what such a receiver is anyway.
func (d Defect) Standalone() bool {
	return !d.serverLevel() && d != DefectPlainHTTP
}
