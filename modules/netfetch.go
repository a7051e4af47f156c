package modules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/modules/internal/fetch"
)

// request converts fo to a fetch request.
func (fo fetchOpts) request() fetch.Request {
	r := fetch.Request{Method: "GET", URL: fo.url, Timeout: time.Duration(fo.timeout) * time.Second,
		ValidateCerts: fo.validate, UseProxy: fo.useProxy, Agent: fo.agent, User: fo.user, Password: fo.password,
		IfModifiedSince: fo.ims, Decompress: true, Follow: "safe", ForceBasicAuth: fo.forceBasic, UseNetrc: fo.netrc}
	if fo.head {
		r.Method = "HEAD"
	}
	for k, v := range fo.headers {
		r.Header = append(r.Header, [2]string{k, v})
	}
	return r
}

// fetchedFrom converts a fetch response to the form get_url works with.
func fetchedFrom(resp *fetch.Response, start time.Time) *fetched {
	h := map[string]string{}
	for _, f := range resp.Fields() {
		h[f[0]] = f[1]
	}
	return &fetched{status: resp.Status, reason: resp.Reason, header: h, body: resp.Body, elapsed: int(time.Since(start).Seconds())}
}

// fetchFromTarget performs fo with the connections starting on the
// target (connection.Dialer). used is false when the connection cannot do
// that; the caller then falls back to curl or wget on the target.
func fetchFromTarget(ctx context.Context, req *Request, fo fetchOpts) (f *fetched, used bool, err error) {
	c, err := fetch.ForTarget(ctx, req.Conn, req.Env, req.Become)
	if err != nil {
		if errors.Is(err, fetch.ErrUnavailable) || !connection.IsUnreachable(err) {
			return nil, false, nil
		}
		return nil, false, err
	}
	start := time.Now()
	resp, err := c.Do(ctx, fo.request())
	if err != nil {
		if fetch.ForwardRefused(err) {
			return nil, false, nil
		}
		if connection.IsUnreachable(err) {
			return nil, false, err
		}
		return nil, true, err
	}
	return fetchedFrom(resp, start), true, nil
}

// putTemp writes data to a new private temporary file on the target
// (under dir, "" meaning /tmp) and returns its path.
func putTemp(ctx context.Context, req *Request, dir, tag string, data []byte) (string, error) {
	if dir == "" {
		dir = "/tmp"
	}
	tmp := fmt.Sprintf("%s/.octopus-%s-%d", strings.TrimSuffix(dir, "/"), tag, time.Now().UnixNano())
	if err := req.Conn.Put(ctx, tmp, data, connection.PutOptions{Mode: 0o600, Become: req.Become}); err != nil {
		return "", err
	}
	return tmp, nil
}

// fetchMessage renders a request failure as urllib does.
func fetchMessage(err error) string { return fetch.Message(err) }
