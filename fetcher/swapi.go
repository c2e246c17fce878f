package fetcher

import "github.com/fetchbench/fetchbench/swapi"

// ResourceTemplate is the URL template of a SWAPI resource's detail documents under base
// ("https://swapi.dev/api/") in dialect d's URL shape.
func ResourceTemplate(d *swapi.Dialect, base, resource string) (string, error) {
	if err := swapi.CheckResource(resource); err != nil {
		return "", err
	}
	if err := CheckURL(base); err != nil {
		return "", err
	}
	if err := swapi.CheckBaseURL(base); err != nil {
		return "", err
	}
	return d.Template(base, resource), nil
}
