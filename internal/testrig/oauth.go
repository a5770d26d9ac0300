package testrig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"
)

// MintOAuthToken returns an HS256 JWT that the rig's Dovecot accepts as an
// XOAUTH2 or OAUTHBEARER bearer token for user: sub = user, exp = now + ttl,
// iat = a few seconds ago (see below). A negative ttl gives an already
// expired token. Without an OAuth key it skips the test, or fails it when CI
// is set.
//
// iat is backdated because Dovecot rejects a token "issued in future" by
// comparing with time(2), whose coarse clock can lag Go's by milliseconds: a
// token minted just after a second boundary would fail now and then.
func (d *Dovecot) MintOAuthToken(t testing.TB, user string, ttl time.Duration) string {
	t.Helper()
	if len(d.OAuthKey) == 0 {
		unavailable(t, "no OAuth key in the rig (IMAPTEST_OAUTH_KEY unset)")
	}
	return signJWT(d.OAuthKey, user, time.Now(), ttl)
}

// iatBackdate is how far MintOAuthToken dates iat back.
const iatBackdate = 5 * time.Second

func signJWT(key []byte, sub string, now time.Time, ttl time.Duration) string {
	enc := base64.RawURLEncoding
	exp := now.Add(ttl)
	iat := now.Add(-iatBackdate)
	if exp.Before(iat) {
		iat = exp // Dovecot refuses exp < iat as conflicting, not as expired
	}
	header, _ := json.Marshal(struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}{"HS256", "JWT"})
	claims, _ := json.Marshal(struct {
		Sub string `json:"sub"`
		Iat int64  `json:"iat"`
		Exp int64  `json:"exp"`
	}{sub, iat.Unix(), exp.Unix()})
	signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil))
}
