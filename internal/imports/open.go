package imports

import (
	"errors"
	"io"
)

// Open reads a register file as XLSX or CSV, told by its first bytes (Sniff); sheet names the
// workbook's sheet ("" for the first with the register's header).
func Open(f io.ReadSeeker, sheet string) (*Parser, Format, error) {
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, "", err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, "", err
	}
	format := Sniff(head[:n])
	var p *Parser
	if format == XLSX {
		p, err = OpenXLSX(f, sheet)
	} else {
		p, err = OpenCSV(f)
	}
	return p, format, err
}
