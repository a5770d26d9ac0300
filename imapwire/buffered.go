package imapwire

// TakeBuffered returns the bytes read from the stream but not yet decoded
// and drops them from the decoder. It is used when the stream changes
// under the decoder (COMPRESS=DEFLATE): what the server sent after its OK
// is already compressed and belongs to the new layer.
func (d *Decoder) TakeBuffered() []byte {
	b := append([]byte(nil), d.buf[d.rd:d.wr]...)
	d.rd = d.wr
	return b
}
