// Package plural writes counts with their nouns in English: "1 request", "2 requests".
package plural

import "fmt"

// Integer is any integer type a count may have.
type Integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// N returns n in decimal, a space and one when n is 1, many otherwise:
// N(1, "request", "requests") is "1 request", N(0, …) "0 requests".
func N[I Integer](n I, one, many string) string {
	return fmt.Sprint(n) + " " + Noun(n, one, many)
}

// Noun returns one when n is 1, many otherwise.
func Noun[I Integer](n I, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
