package mockserver

import "github.com/prismhook/prismhook/internal/artifacts"

// The artifact server is shared with the conformance harness and lives in
// internal/artifacts; these aliases let users of Server.Artifacts name its
// types without importing an internal package.
type (
	// ArtifactServer serves the generations' video and thumbnail files and
	// records every fetch.
	ArtifactServer = artifacts.Server
	// ArtifactBehavior shapes the answers for one generation's video.
	ArtifactBehavior = artifacts.Behavior
	// ArtifactFetch is one recorded request for an artifact.
	ArtifactFetch = artifacts.Fetch
)
