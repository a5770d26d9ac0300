package mutf7_test

import (
	"fmt"

	"github.com/imapclient-go/imapclient/mutf7"
)

func ExampleEncode() {
	fmt.Println(mutf7.Encode("~peter/mail/台北/日本語"))
	fmt.Println(mutf7.Encode("Stuff & Things"))
	fmt.Println(mutf7.Encode("Entwürfe"))
	// Output:
	// ~peter/mail/&U,BTFw-/&ZeVnLIqe-
	// Stuff &- Things
	// Entw&APw-rfe
}

func ExampleDecode() {
	name, err := mutf7.Decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-")
	fmt.Println(name, err)

	_, err = mutf7.Decode("&AGE-") // "a" must not be encoded
	fmt.Println(err)
	// Output:
	// ~peter/mail/台北/日本語 <nil>
	// mutf7: encoded printable US-ASCII character at offset 3
}

func ExampleDecodeLenient() {
	fmt.Println(mutf7.DecodeLenient("Gel&APY-schte Elemente"))
	fmt.Println(mutf7.DecodeLenient("Broken &AOk")) // unterminated: returned as is
	// Output:
	// Gelöschte Elemente
	// Broken &AOk
}

func ExampleValid() {
	fmt.Println(mutf7.Valid("Entw&APw-rfe"))
	fmt.Println(mutf7.Valid("Entwürfe"))
	// Output:
	// true
	// false
}
