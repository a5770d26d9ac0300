package imapclient_test

import (
	"strings"
	"testing"

	"github.com/imapclient-go/imapclient"
	"github.com/imapclient-go/imapclient/imapconn"
	"github.com/imapclient-go/imapclient/imapwire"
	"github.com/imapclient-go/imapclient/internal/testrig"
)

func TestServerCompress(t *testing.T) {
	d := testrig.RequireServer(t)
	testrig.RequireFeature(t, d, "compress")
	c := dialTLS(t, d, &imapclient.Options{Compress: true})
	login(t, c, testrig.Alice)
	folder := tempFolder(t, c, "zlib")
	body := strings.Repeat("All work and no play makes Jack a dull boy. ", 400)
	for i := 0; i < 5; i++ {
		seed(t, c, folder, nil, testMessage("a@x.org", "b@x.org", "compressed", body))
	}
	rawSelect(t, c, folder)
	var got int
	err := c.Do(ctxT(t), func(conn *imapconn.Conn) error {
		_, err := conn.Execute(ctxT(t), "FETCH", func(e *imapwire.Encoder) { e.SP().Raw("1:* BODY.PEEK[]") },
			func(r *imapwire.Response) (bool, error) {
				items, err := r.ReadAllFetchItems()
				for _, it := range items {
					if strings.Contains(string(it.Literal), "dull boy") {
						got++
					}
				}
				return true, err
			})
		return err
	})
	if err != nil || got != 5 {
		t.Fatalf("FETCH over COMPRESS: %d bodies, %v", got, err)
	}
	st := c.CompressStats()
	if st.WireIn == 0 || st.In < 5*st.WireIn || st.WireOut == 0 || st.Out <= st.WireOut {
		t.Fatalf("compression stats %+v", st)
	}
	t.Logf("received %d bytes of protocol in %d bytes on the wire (%.1fx); sent %d in %d",
		st.In, st.WireIn, float64(st.In)/float64(st.WireIn), st.Out, st.WireOut)
	if _, err := c.Noop(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.Compress(ctxT(t)); err == nil {
		t.Fatal("second COMPRESS accepted")
	}
	if err := c.Logout(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}
