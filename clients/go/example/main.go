// The three things an application does with the vault, printed as one JSON object (the test
// suite runs this against the real daemon). usage: example AUTH_ID UPSTREAM_ORIGIN CALLBACK_JSON
// The socket comes from $VOBIZ_VAULT_SOCKET. CALLBACK_JSON: {"url","params","headers"} of a
// callback Vobiz signed.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/vobiz/vobiz-vault/clients/go/vobizvault"
)

func main() {
	authID, upstream, callbackFile := os.Args[1], os.Args[2], os.Args[3]
	vault := vobizvault.New("")
	path := "/api/v1/Account/" + authID + "/Call/"
	out := map[string]any{"socket": vault.SocketPath}

	body := []byte(`{"from":"+15550001","to":"+15550002","answer_url":"https://example.com/answer"}`)
	h, err := vault.Headers("POST", upstream+path, body, "")
	check(err)
	_, signed := h["X-Vault-Signature"]
	_, revealed := h["X-Auth-Token"]
	out["sealed"] = signed && !revealed
	resp, err := vault.Proxy("POST", path, h, body)
	check(err)
	resp.Body.Close()
	out["sealed_call"] = resp.StatusCode

	resp, err = vault.Proxy("GET", path, map[string]string{"X-Auth-Token": "not-a-real-token"}, nil)
	check(err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	out["proxy_get"] = resp.StatusCode
	var listed struct{ Objects []any }
	_ = json.Unmarshal(data, &listed)
	out["proxy_objects"] = len(listed.Objects)

	var refusal *vobizvault.Error
	if _, err := vault.Headers("GET", upstream+"/api/v1/Account/MA_NOTHELD/Call/", nil, ""); errors.As(err, &refusal) {
		out["refusal"] = refusal.Type
	}

	raw, err := os.ReadFile(callbackFile)
	check(err)
	var cb struct {
		URL     string            `json:"url"`
		Params  map[string]any    `json:"params"`
		Headers map[string]string `json:"headers"`
	}
	check(json.Unmarshal(raw, &cb))
	verdict, err := vault.VerifyCallback(authID, "POST", cb.URL, cb.Headers, cb.Params)
	check(err)
	out["callback"] = verdict.Valid
	if _, err := vault.VerifyCallback(authID, "POST", cb.URL, cb.Headers, cb.Params); errors.As(err, &refusal) {
		out["callback_replay"] = refusal.Type
	}
	text, _ := json.Marshal(out)
	fmt.Println(string(text))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
