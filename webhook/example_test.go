package webhook_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/prismhook/prismhook/webhook"
)

func ExampleSign() {
	fmt.Println(webhook.Sign("It's a Secret to Everybody", []byte("Hello, World!")))
	// Output: 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
}

func ExampleVerify() {
	const secret = "It's a Secret to Everybody"
	body := []byte("Hello, World!")
	good := "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

	fmt.Println(webhook.Verify(secret, body, good))
	fmt.Println(webhook.Verify(secret, []byte("Hello, World?"), good))
	fmt.Println(webhook.Verify(secret, body, good[:40]))
	fmt.Println(webhook.Verify(secret, body, ""))
	// Output:
	// <nil>
	// webhook: signature does not match the body
	// webhook: signature has the wrong length
	// webhook: missing signature
}

func ExampleMiddleware() {
	const secret = "whsec_example"

	// The receiver: Middleware refuses anything not signed with the secret;
	// the handler acknowledges at once and leaves slow work to a queue.
	handle := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := webhook.DeliveryFrom(r.Context())
		fmt.Printf("received %s for %s\n", d.Event.Event, d.Event.Data.ID)
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(webhook.Middleware(secret)(handle))
	defer srv.Close()

	body := []byte(`{"event":"video.completed","data":{"id":"gen_abc123xyz","status":"completed"}}`)
	post := func(signature string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(webhook.SignatureHeader, signature)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	post(webhook.Sign(secret, body))
	post(webhook.Sign("whsec_wrong", body))
	// Output:
	// received video.completed for gen_abc123xyz
	// 204 No Content
	// 401 Unauthorized
}
