package fakeswapi_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

func Example() {
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/api/people/1/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var person struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&person); err != nil {
		log.Fatal(err)
	}
	fmt.Println(person.Name)
	// Output: Luke Skywalker
}

func ExampleServer_Stats() {
	fake, err := fakeswapi.New(fakeswapi.Options{Latency: 10 * time.Millisecond, Workers: 2})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	for _, path := range []string{"/api/films/1/", "/api/films/7/", "/api/films/1"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
	}
	st := fake.Stats()
	// The client followed the redirect: four requests arrived.
	fmt.Println(st.Requests, st.StatusCounts, st.PeakConcurrent)
	// Output: 4 map[200:2 301:1 404:1] 1
}

func ExampleOptions_Validate() {
	opts := fakeswapi.Options{ErrorRate: 1.5}
	fmt.Println(opts.Validate())
	// Output: error rate 1.5 out of range [0,1]
}

func ExampleServer_ServeHTTP_throttled() {
	fake, err := fakeswapi.New(fakeswapi.Options{Rate: 1, Burst: 1})
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	for range 2 {
		resp, err := srv.Client().Get(srv.URL + "/api/")
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		fmt.Printf("%d Retry-After=%q\n", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Output:
	// 200 Retry-After=""
	// 429 Retry-After="1"
}

func ExampleServer_Warm() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fake, err := fakeswapi.New(fakeswapi.Options{})
	if err != nil {
		panic(err)
	}
	fake.Warm(ln.Addr().String()) // the first request no longer pays for rendering
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: fake}}
	srv.Start()
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/films/1/")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var film struct{ Title string }
	if err := json.NewDecoder(resp.Body).Decode(&film); err != nil {
		panic(err)
	}
	fmt.Println(film.Title)
	// Output: A New Hope
}
