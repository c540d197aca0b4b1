// Package vobizvault talks to a local vobiz-vault daemon over its Unix socket, with the
// standard library only: headers sealed for one call, calls through the vault's proxy (which
// attaches the token), and callback signature checks. The program never holds a Vobiz token.
//
//	vault := vobizvault.New("")            // $VOBIZ_VAULT_SOCKET or /run/vobiz-vault/vault.sock
//	h, err := vault.Headers("GET", "https://api.vobiz.ai/api/v1/Account/MA_X/Call/", nil, "")
//	resp, err := vault.Proxy("GET", "/api/v1/Account/MA_X/Call/", nil, nil)
package vobizvault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// DefaultSocket is where the packaged socket unit listens.
const DefaultSocket = "/run/vobiz-vault/vault.sock"

// dropped are never sent to the vault: it attaches the credential itself, and drops them again.
var dropped = map[string]bool{"x-auth-id": true, "x-auth-token": true, "authorization": true, "cookie": true,
	"host": true, "connection": true, "content-length": true, "transfer-encoding": true, "x-vault-credential": true}

// Vault is the daemon's client socket.
type Vault struct {
	SocketPath string
	HTTP       *http.Client
}

// Error is a refusal of the vault (its problem+json answer), or a vault that cannot be reached.
type Error struct {
	Status int
	Type   string
	Detail string
}

func (e *Error) Error() string {
	return fmt.Sprintf("vobiz-vault: %s (%d): %s", e.Type, e.Status, e.Detail)
}

// New returns a client of the socket at path, else $VOBIZ_VAULT_SOCKET, else DefaultSocket.
func New(path string) *Vault {
	if path == "" {
		path = os.Getenv("VOBIZ_VAULT_SOCKET")
	}
	if path == "" {
		path = DefaultSocket
	}
	socket := path
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableCompression: true,
	}
	return &Vault{SocketPath: path, HTTP: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
}

func (v *Vault) do(req *http.Request) (*http.Response, error) {
	resp, err := v.HTTP.Do(req)
	if err != nil {
		return nil, &Error{Status: 0, Type: "unreachable", Detail: fmt.Sprintf("%s: %v", v.SocketPath, err)}
	}
	return resp, nil
}

func (v *Vault) callJSON(path string, payload any, answer any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := http.NewRequest("POST", "http://vobiz-vault"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := v.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		var p struct{ Type, Detail string }
		_ = json.Unmarshal(data, &p)
		kind := p.Type[strings.LastIndex(p.Type, ":")+1:]
		if kind == "" {
			kind = "error"
		}
		return &Error{Status: resp.StatusCode, Type: kind, Detail: p.Detail}
	}
	return json.Unmarshal(data, answer)
}

// Headers asks for the headers of one upstream request (POST /v1/headers). A non-nil body is
// bound to sealed headers by its SHA-256: send exactly these bytes. credential may be "".
func (v *Vault) Headers(method, url string, body []byte, credential string) (map[string]string, error) {
	payload := map[string]string{"method": strings.ToUpper(method), "url": url}
	if body != nil {
		sum := sha256.Sum256(body)
		payload["body_sha256"] = hex.EncodeToString(sum[:])
	}
	if credential != "" {
		payload["credential"] = credential
	}
	var answer struct {
		Headers map[string]string `json:"headers"`
	}
	if err := v.callJSON("/v1/headers", payload, &answer); err != nil {
		return nil, err
	}
	return answer.Headers, nil
}

// Proxy sends a call through the vault's proxy: path is the Vobiz API path (and query); the
// vault checks the caller's grant and attaches the token. The caller closes the body.
func (v *Vault) Proxy(method, path string, headers map[string]string, body []byte) (*http.Response, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://vobiz-vault/v1/proxy"+path, reader)
	if err != nil {
		return nil, err
	}
	for k, val := range headers {
		if !dropped[strings.ToLower(k)] {
			req.Header.Set(k, val)
		}
	}
	return v.do(req)
}

// Verdict is the answer of POST /v1/callbacks/verify.
type Verdict struct {
	Valid    bool    `json:"valid"`
	Scheme   *string `json:"scheme"`
	SignedBy *string `json:"signed_by"`
	Reason   *string `json:"reason"`
}

// VerifyCallback checks a callback's signature with the token the vault holds.
func (v *Vault) VerifyCallback(credential, method, url string, headers map[string]string, params map[string]any) (*Verdict, error) {
	payload := map[string]any{"credential": credential, "method": strings.ToUpper(method), "url": url, "headers": headers}
	if params != nil {
		payload["params"] = params
	}
	var verdict Verdict
	if err := v.callJSON("/v1/callbacks/verify", payload, &verdict); err != nil {
		return nil, err
	}
	return &verdict, nil
}
