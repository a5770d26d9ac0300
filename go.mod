module github.com/imapclient-go/imapclient

go 1.26
