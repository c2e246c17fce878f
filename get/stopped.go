package get

import (
	"fmt"
	"strings"
	"sync"

	"github.com/fetchbench/fetchbench/internal/plural"
)

// stoppedShown is how many of the URLs a stopped run left unfetched its line names.
const stoppedShown = 3

// stopped counts the URLs a run stopped before fetching (interrupted, or past its deadline)
// and keeps the first few, so that they are told in one line rather than one line each. It
// is safe for concurrent use; its zero value counts none.
type stopped struct {
	mu    sync.Mutex
	n     int
	first []string
}

// add counts url.
func (s *stopped) add(url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if len(s.first) < stoppedShown {
		s.first = append(s.first, url)
	}
}

// count is how many URLs were added.
func (s *stopped) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// line says, in one line, how many links were left as URLs and names the first few; "" when
// none was.
func (s *stopped) line() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.n == 0 {
		return ""
	}
	line := fmt.Sprintf("%s not fetched, the run stopped first; left as URLs: %s",
		plural.N(s.n, "link", "links"), strings.Join(s.first, ", "))
	if more := s.n - len(s.first); more > 0 {
		line += fmt.Sprintf(" and %d more", more)
	}
	return line
}
