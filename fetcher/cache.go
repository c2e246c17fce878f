package fetcher

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// cacheHeader marks a response answered from the cache; one from the network never has it.
const cacheHeader = "X-Fetchbench-Cache"

// cacheTransport answers GET requests from files under dir and keeps every 200 answer read in
// full there. Only a 200 is kept: an error, a throttling 429 or a 404 is asked again next time.
// An answer is kept once its body has been read to the end. Files are written whole to a temporary name and renamed, so concurrent runs sharing dir
// never read half an entry; an unreadable or foreign entry counts as a miss.
//
// A hit is bounded like an answer from the network: an entry whose body exceeds max bytes
// fails the request with errBodyTooLarge, and a file too large to hold such a body is
// refused from its size, unread. A 200 whose Content-Type says JSON but whose body is not
// valid JSON is not kept (the next run asks again).
//
// An entry is found by the SHA-256 of its key: the URL, its origin replaced by the name
// Config.CacheNames gives it. The key is stored in the entry with its password, if any,
// redacted. Entries are opened without following symlinks, under subdirectories that must
// be directories of their own.
type cacheTransport struct {
	next  http.RoundTripper
	dir   string
	max   int64             // Config.MaxBody, > 0
	names map[string]string // Config.CacheNames
}

// entryOverhead is what a cache file may hold besides its body's base64: the URL, the status
// and the header block (at most maxHeaderBytes, escaped).
const entryOverhead = 2*maxHeaderBytes + 64<<10

// cacheEntry is one cached answer, stored as JSON.
type cacheEntry struct {
	URL    string      `json:"url"`
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

func (t *cacheTransport) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	name := hex.EncodeToString(sum[:])
	return filepath.Join(t.dir, name[:2], name+".json")
}

// key is the cache key of u: u with its origin (scheme://host) replaced by the name
// t.names gives it, when it gives one.
func (t *cacheTransport) key(u *url.URL) string {
	s := u.String()
	if name, ok := t.names[u.Scheme+"://"+u.Host]; ok && u.User == nil {
		return name + strings.TrimPrefix(s, u.Scheme+"://"+u.Host)
	}
	return s
}

// redactKey is key as an entry stores it: without a password.
func redactKey(key string) string {
	u, err := url.Parse(key)
	if err != nil || u.User == nil {
		return key
	}
	return u.Redacted()
}

func (t *cacheTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return t.next.RoundTrip(req)
	}
	key := t.key(req.URL)
	file := t.path(key)
	u := redactKey(key)
	if res, ok, err := t.load(file, u, req); err != nil || ok {
		return res, err
	}
	res, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Header.Del(cacheHeader)
	if res.StatusCode != http.StatusOK {
		return res, nil
	}
	header := res.Header.Clone()
	isJSON := strings.Contains(header.Get("Content-Type"), "json")
	res.Body = &recordingBody{rc: res.Body, done: func(body []byte) {
		if isJSON && !json.Valid(body) {
			return
		}
		t.store(file, cacheEntry{URL: u, Status: http.StatusOK, Header: header, Body: body})
	}}
	return res, nil
}

// recordingBody passes rc through and calls done with everything read once rc ends cleanly.
type recordingBody struct {
	rc   io.ReadCloser
	buf  bytes.Buffer
	done func([]byte)
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.buf.Write(p[:n])
	if err == io.EOF && b.done != nil {
		b.done(b.buf.Bytes())
		b.done = nil
	}
	return n, err
}

func (b *recordingBody) Close() error { return b.rc.Close() }

// load reads the entry for u from file: ok on a hit, an error wrapping errBodyTooLarge when
// the entry's body (or the file, from its size) is larger than t.max allows.
func (t *cacheTransport) load(file, u string, req *http.Request) (res *http.Response, ok bool, err error) {
	if !realDir(filepath.Dir(file)) {
		return nil, false, nil
	}
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, false, nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false, nil
	}
	if limit := t.max/3*4 + 8 + entryOverhead; fi.Size() > limit {
		return nil, false, fmt.Errorf("%w: cached entry of %d bytes, more than a %d-byte body needs", errBodyTooLarge, fi.Size(), t.max)
	}
	b, err := io.ReadAll(io.LimitReader(f, fi.Size()+1))
	if err != nil {
		return nil, false, nil
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.URL != u || e.Status != http.StatusOK {
		return nil, false, nil
	}
	if strings.Contains(e.Header.Get("Content-Type"), "json") && !json.Valid(e.Body) {
		return nil, false, nil // kept before invalid JSON was refused: asked again
	}
	if int64(len(e.Body)) > t.max {
		return nil, false, fmt.Errorf("%w: cached body of %d bytes, more than %d", errBodyTooLarge, len(e.Body), t.max)
	}
	h := e.Header
	if h == nil {
		h = http.Header{}
	}
	h.Set(cacheHeader, "hit")
	return &http.Response{
		Status: "200 OK", StatusCode: e.Status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(e.Body)), ContentLength: int64(len(e.Body)),
		Request: req, Uncompressed: true,
	}, true, nil
}

// store writes e to file; a cache that cannot be written only costs the next run a request.
func (t *cacheTransport) store(file string, e cacheEntry) {
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	if err := os.Mkdir(filepath.Dir(file), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return
	}
	if !realDir(filepath.Dir(file)) {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		return
	}
	if os.Rename(tmp.Name(), file) != nil {
		os.Remove(tmp.Name())
	}
}

// realDir reports whether dir is a directory itself, not a symlink to one.
func realDir(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir()
}

// ErrCacheDir is wrapped by PrepareCacheDir's errors: a directory that cannot be trusted.
var ErrCacheDir = errors.New("untrusted cache directory")

// PrepareCacheDir makes dir ready to be a Config.CacheDir: it creates it (with its parents)
// with mode 0700 when missing, and refuses, wrapping ErrCacheDir, one that is a symlink or
// not a directory, that another user owns (root excepted), or that group or others may
// write to: whoever can write there chooses what a run reads. readOnly reports that the run
// may read entries there but cannot keep new ones.
func PrepareCacheDir(dir string) (readOnly bool, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false, err
	}
	fi, err := os.Lstat(filepath.Clean(dir))
	switch {
	case err != nil:
		return false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, fmt.Errorf("%w: %s is a symlink; name the directory itself", ErrCacheDir, dir)
	case !fi.IsDir():
		return false, fmt.Errorf("%w: %s is not a directory", ErrCacheDir, dir)
	case fi.Mode().Perm()&0o022 != 0:
		return false, fmt.Errorf("%w: %s is writable by others (mode %04o); chmod go-w it", ErrCacheDir, dir, fi.Mode().Perm())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() && st.Uid != 0 {
		return false, fmt.Errorf("%w: %s belongs to user %d, not to you (%d)", ErrCacheDir, dir, st.Uid, os.Getuid())
	}
	probe, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return true, nil
	}
	probe.Close()
	os.Remove(probe.Name())
	return false, nil
}
