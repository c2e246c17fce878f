package fetcher

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestCacheFollowsNoSymlinks: an entry file, or the subdirectory holding it, planted as a
// symlink is neither read nor written through; the request goes to the network.
func TestCacheFollowsNoSymlinks(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(dataHandler(&hits))
	defer srv.Close()
	u := srv.URL + "/doc/1"
	cfg := Config{Strategy: Sequential, Limits: Limits{Slots: 1}, KeepBody: true}

	// A genuine entry for u, kept elsewhere.
	elsewhere := t.TempDir()
	cfg.CacheDir = elsewhere
	collect(t, context.Background(), cfg, TargetList{{URL: u}})
	genuine := (&cacheTransport{dir: elsewhere}).path(u)
	if _, err := os.Stat(genuine); err != nil {
		t.Fatalf("no entry kept: %v", err)
	}

	t.Run("entry file", func(t *testing.T) {
		dir := t.TempDir()
		file := (&cacheTransport{dir: dir}).path(u)
		if err := os.Mkdir(filepath.Dir(file), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(genuine, file); err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.CacheDir = dir
		before := hits.Load()
		recs, _ := collect(t, context.Background(), c, TargetList{{URL: u}})
		if hits.Load() != before+1 || recs[0].Note == "from cache" {
			t.Errorf("a symlinked entry was read: note %q, server requests %d", recs[0].Note, hits.Load()-before)
		}
	})
	t.Run("subdirectory", func(t *testing.T) {
		dir, target := t.TempDir(), t.TempDir()
		file := (&cacheTransport{dir: dir}).path(u)
		if err := os.Symlink(filepath.Dir(genuine), filepath.Dir(file)); err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.CacheDir = dir
		before := hits.Load()
		recs, _ := collect(t, context.Background(), c, TargetList{{URL: u}})
		if hits.Load() != before+1 || recs[0].Note == "from cache" {
			t.Errorf("an entry under a symlinked subdirectory was read: note %q", recs[0].Note)
		}
		// Writes do not go through a symlinked subdirectory either.
		if err := os.Remove(filepath.Dir(file)); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Dir(file)); err != nil {
			t.Fatal(err)
		}
		collect(t, context.Background(), c, TargetList{{URL: u}})
		if got, _ := os.ReadDir(target); len(got) != 0 {
			t.Errorf("the cache wrote %d files through a symlinked subdirectory", len(got))
		}
	})
}

// TestCacheRedactsPasswords: an entry keeps its URL without the password (its file name
// is a hash), and still answers the next request for that URL.
func TestCacheRedactsPasswords(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(dataHandler(&hits))
	defer srv.Close()
	su, _ := url.Parse(srv.URL)
	u := "http://alice:s3cr3t-pw@" + su.Host + "/doc/1"
	dir := t.TempDir()
	cfg := Config{Strategy: Sequential, Limits: Limits{Slots: 1}, KeepBody: true, CacheDir: dir}
	collect(t, context.Background(), cfg, TargetList{{URL: u}})
	recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: u}})
	if hits.Load() != 1 || recs[0].Note != "from cache" {
		t.Errorf("server saw %d requests, second note %q; want 1 and a hit", hits.Load(), recs[0].Note)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) != 1 {
		t.Fatalf("cache holds %v, want one entry", files)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b)+f, "s3cr3t-pw") {
			t.Errorf("%s keeps the password:\n%.300s", f, b)
		}
		if !strings.Contains(string(b), "alice") {
			t.Errorf("%s lost the user name:\n%.300s", f, b)
		}
	}
	// Another password is another entry: the key is the whole URL.
	collect(t, context.Background(), cfg, TargetList{{URL: "http://alice:other@" + su.Host + "/doc/1"}})
	if hits.Load() != 2 {
		t.Errorf("another password was answered from the cache")
	}
}

// TestCacheNames: URLs of a renamed origin are kept under its name, so that another origin
// with the same name (the fake on another port) finds them.
func TestCacheNames(t *testing.T) {
	t.Parallel()
	var hits1, hits2 atomic.Int64
	srv1 := httptest.NewServer(dataHandler(&hits1))
	defer srv1.Close()
	srv2 := httptest.NewServer(dataHandler(&hits2))
	defer srv2.Close()
	dir := t.TempDir()
	run := func(srv *httptest.Server) Record {
		cfg := Config{Strategy: Sequential, Limits: Limits{Slots: 1}, KeepBody: true, CacheDir: dir,
			CacheNames: map[string]string{srv.URL: "fake-dev"}}
		recs, _ := collect(t, context.Background(), cfg, TargetList{{URL: srv.URL + "/doc/1"}})
		return recs[0]
	}
	run(srv1)
	if r := run(srv2); r.Note != "from cache" || hits2.Load() != 0 || string(r.Body) != `{"name":"doc 1"}` {
		t.Errorf("second origin: note %q, body %q, %d requests; want a hit", r.Note, r.Body, hits2.Load())
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	if len(files) != 1 {
		t.Errorf("cache holds %d entries, want 1", len(files))
	}
}

func TestPrepareCacheDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mk := func(name string, mode os.FileMode) string {
		p := filepath.Join(root, name)
		if err := os.Mkdir(p, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	own := mk("own", 0o700)
	open := mk("open", 0o777)
	group := mk("group", 0o770)
	link := filepath.Join(root, "link")
	if err := os.Symlink(own, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		refused string // in the error; "" accepted
	}{
		{"new", filepath.Join(root, "new", "deeper"), ""},
		{"own", own, ""},
		{"world-writable", open, "writable by others"},
		{"group-writable", group, "writable by others"},
		{"symlink", link, "symlink"},
		{"symlink with a slash", link + "/", "symlink"},
		{"file", file, ""}, // MkdirAll's own error
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			readOnly, err := PrepareCacheDir(tc.dir)
			switch {
			case tc.name == "file":
				if err == nil {
					t.Errorf("a file accepted as cache directory")
				}
			case tc.refused == "" && (err != nil || readOnly):
				t.Errorf("err %v, read-only %v; want accepted, writable", err, readOnly)
			case tc.refused != "" && (!errors.Is(err, ErrCacheDir) || !strings.Contains(err.Error(), tc.refused)):
				t.Errorf("err %v; want ErrCacheDir saying %q", err, tc.refused)
			}
		})
	}
	fi, err := os.Stat(filepath.Join(root, "new"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created directory: %v, mode %v; want 0700", err, fi.Mode().Perm())
	}
}

// TestPrepareCacheDirOwner: a directory another user owns is refused. Needs root to make one.
func TestPrepareCacheDirOwner(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root to give a directory to another user")
	}
	dir := filepath.Join(t.TempDir(), "theirs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := PrepareCacheDir(dir); !errors.Is(err, ErrCacheDir) || !strings.Contains(err.Error(), "belongs to user 65534") {
		t.Errorf("err %v; want ErrCacheDir naming the owner", err)
	}
}

// TestPrepareCacheDirReadOnly: a directory the process cannot write is reported read-only
// (not root: root writes anywhere; TestGetCacheReadOnly covers it with a read-only file
// system).
func TestPrepareCacheDirReadOnly(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	if readOnly, err := PrepareCacheDir(dir); err != nil || !readOnly {
		t.Errorf("read-only %v, err %v; want read-only", readOnly, err)
	}
}
