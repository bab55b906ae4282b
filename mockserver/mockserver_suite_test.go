package mockserver_test

import (
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestMockserver(t *testing.T) {
	if dataFile := os.Getenv(childDataFileEnv); dataFile != "" {
		serveAsChild(dataFile) // never returns: the parent kills it
	}
	RegisterFailHandler(Fail)
	// Deliveries and generations run in the background; give them time on
	// a busy machine.
	SetDefaultEventuallyTimeout(10 * time.Second)
	RunSpecs(t, "mockserver")
}
