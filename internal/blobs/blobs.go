// Package blobs opens the store that holds attachments (scans of petitions and evidence): a
// folder by default, or any store gocloud.dev/blob opens by URL, an S3-compatible one included.
// The registry keeps the records; the store keeps the bytes under keys that never change.
package blobs

import (
	"context"
	"fmt"

	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // s3://bucket?region=…&endpoint=… (S3 and S3-compatible stores)
)

// Open opens the store at url (file:///srv/tcd/attachments, s3://tcd-attachments?region=…), or
// the folder dir, created if missing, when url is "".
func Open(ctx context.Context, url, dir string) (*blob.Bucket, error) {
	if url != "" {
		b, err := blob.OpenBucket(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("attachment store TCD_BLOB_URL: %w", err)
		}
		return b, nil
	}
	// Temporary files beside the final ones: a rename never crosses file systems, and a data
	// folder is often a mount of its own. No sidecar metadata: the register keeps it.
	b, err := fileblob.OpenBucket(dir, &fileblob.Options{CreateDir: true, NoTempDir: true, Metadata: fileblob.MetadataDontWrite})
	if err != nil {
		return nil, fmt.Errorf("attachment folder %s: %w", dir, err)
	}
	return b, nil
}
