package imapwire

// ReadAllFetchItems is Decoder.ReadAllFetchItems for the response r, which
// must be the decoder's latest.
func (r *Response) ReadAllFetchItems() ([]FetchItem, error) {
	return r.d.ReadAllFetchItems()
}
