package report

// This file owns the records of a command's runs as one thing to close: the stream and the
// file under it.

import "io"

// RecordsOut is a RecordStream and what it writes into (a file, or nil for a stream the
// caller keeps open, such as stdout), closed together, once. A nil *RecordsOut is no records:
// its Stream is nil and Close returns nil.
type RecordsOut struct {
	stream *RecordStream
	file   io.Closer
	closed bool
}

// NewRecordsOut writes records to w as NewRecordStream does (format, inputOrder, colour when w
// is a terminal); Close closes file too, when not nil. On an error it closes file itself.
func NewRecordsOut(w io.Writer, file io.Closer, format string, inputOrder bool) (*RecordsOut, error) {
	s, err := NewRecordStream(w, format, inputOrder, IsTerminal(w))
	if err != nil {
		if file != nil {
			file.Close()
		}
		return nil, err
	}
	return &RecordsOut{stream: s, file: file}, nil
}

// Stream is the records' stream, nil for a nil RecordsOut.
func (o *RecordsOut) Stream() *RecordStream {
	if o == nil {
		return nil
	}
	return o.stream
}

// Close flushes and closes the stream, then the file, once; later calls return nil. The
// error is the first of the two.
func (o *RecordsOut) Close() error {
	if o == nil || o.closed {
		return nil
	}
	o.closed = true
	err := o.stream.Close()
	if o.file != nil {
		if cerr := o.file.Close(); err == nil {
			err = cerr
		}
	}
	return err
}
