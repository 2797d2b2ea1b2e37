package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// The emulator serves the project's client in process, as --demo does.
func ExampleEmulator_Transport() {
	now := time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)
	e := emulator.New(emulator.Options{Now: func() time.Time { return now }})
	c := client.New(client.Commercial, emulator.DemoKey,
		client.WithHTTPClient(&http.Client{Transport: e.Transport()}))

	resp, err := c.Do(context.Background(), client.Lookup("get_mau_usage"),
		client.Request{Args: map[string][]string{"groupby": {"sdktype"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range resp.Series {
		fmt.Printf("sdktype=%s: %d days\n", s.Meta["sdktype"], len(s.Values))
	}
	// Output:
	// sdktype=client: 31 days
	// sdktype=server: 31 days
}

// Faults make the emulator misbehave for a number of requests.
func ExampleEmulator_SetFault() {
	e := emulator.New(emulator.Options{})
	e.SetFault(emulator.Fault{Kind: emulator.RateLimited, Times: 1, RetryAfter: 2 * time.Second})
	c := client.New(client.Commercial, emulator.DemoKey,
		client.WithHTTPClient(&http.Client{Transport: e.Transport()}))
	_, err := c.Do(context.Background(), client.Lookup("get_mau_usage"), client.Request{})
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Code, apiErr.Limits.RetryAfter)
	}
	_, err = c.Do(context.Background(), client.Lookup("get_mau_usage"), client.Request{})
	fmt.Println(err)
	// Output:
	// 429 rate_limited 2s
	// <nil>
}
