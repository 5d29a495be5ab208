// Package store opens the database chosen by TCD_DATABASE_URL (embedded SQLite or PostgreSQL),
// applies the versioned migrations compiled into the binary, and offers transactions over GORM.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is an open database with its dialect.
type Store struct {
	DB      *gorm.DB
	Dialect Dialect
	sqlDB   *sql.DB
	pool    gorm.ConnPool // sqlDB, as the statements on the pool (not a transaction) hold it
	// replicas are the PostgreSQL streaming replicas reads may be routed to (replicas.go); nil
	// without any
	replicas *replicaSet
}

// Options tunes the connection pool and names the replicas.
type Options struct {
	MaxOpenConns int
	// ReplicaURLs are PostgreSQL streaming replicas of the database (replicas.go); SQLite has
	// none and refuses them.
	ReplicaURLs   []string
	ReplicaMaxLag time.Duration // a replica lagging more is left out until it catches up
	Logger        *slog.Logger  // where replicas changing state are told
}

// Open connects to url: "sqlite:PATH" or "postgres://…". It does not migrate. SQLite is
// modernc.org/sqlite (pure Go, no cgo) through GORM's dialector github.com/libtnb/sqlite:
// glebarez/sqlite's fork of the same driver looked each parameter of a statement up among all
// of them, which cost a statement of a thousand parameters half a million comparisons (a tenth
// of a bulk import's CPU).
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	var (
		dialector gorm.Dialector
		dialect   Dialect
	)
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		dsn, err := sqliteDSN(strings.TrimPrefix(rawURL, "sqlite:"))
		if err != nil {
			return nil, err
		}
		dialector, dialect = sqlite.Open(dsn), SQLite
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		dialector, dialect = postgres.Open(postgresDSN(rawURL)), Postgres
	default:
		return nil, fmt.Errorf("TCD_DATABASE_URL must start with sqlite: or postgres://")
	}
	if dialect == SQLite && len(opts.ReplicaURLs) > 0 {
		return nil, errSQLiteReplicas
	}
	db, err := openGorm(dialector)
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	configurePool(sqlDB, opts.MaxOpenConns)
	s := &Store{DB: db, Dialect: dialect, sqlDB: sqlDB, pool: db.Statement.ConnPool}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pingCtx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if len(opts.ReplicaURLs) > 0 {
		if err := s.openReplicas(ctx, opts.ReplicaURLs, opts); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// errSQLiteReplicas refuses replicas of the embedded database, which has no replication.
var errSQLiteReplicas = errors.New("TCD_DATABASE_REPLICA_URLS: read replicas need PostgreSQL; the embedded SQLite database (TCD_DATABASE_URL=sqlite:…) has none, so leave it unset")

func openGorm(dialector gorm.Dialector) (*gorm.DB, error) {
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // writes that need one open it explicitly
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         false,
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return db, nil
}

func configurePool(sqlDB *sql.DB, maxOpen int) {
	if maxOpen <= 0 {
		maxOpen = 20
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxOpen)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
}

// sqliteDSN turns a path into a DSN with the pragmas the service relies on: WAL so readers
// never block the writer, FULL synchronous so an acknowledged write survives power loss,
// a busy timeout instead of immediate "database is locked", and enforced foreign keys.
// Temporary storage in memory: inside a transaction, SQLite keeps what undoes a statement that
// writes several rows (a statement journal) and spills it to a temporary file past 64 KB, which
// every multi-row insert of a bulk import did (its page writes were 13% of the import's CPU,
// make bench-import); it only ever undoes one statement, and nothing in it is needed after a
// crash.
// IMMEDIATE transactions take the write lock up front, which avoids deadlocks between two
// transactions that both read and then try to write. A new database file is created readable
// by its owner alone: it holds personal data, and SQLite gives its -wal and -shm files the
// mode of the database file (it would create all three 0644).
func sqliteDSN(path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("sqlite: needs a file path, e.g. sqlite:data/tcd.db")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", fmt.Errorf("create database directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return "", fmt.Errorf("create database file: %w", err)
	}
	f.Close()
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	// text and integers without a declared time type (dates kept as TEXT 'YYYY-MM-DD', MIN(date)
	// and other expressions) are read as they are stored, not as times, which the dialector
	// would turn on
	q.Set("_texttotime", "0")
	q.Set("_inttotime", "0")
	return "file:" + path + "?" + q.Encode(), nil
}

// postgresDSN bounds connection attempts and statements so that an outage or a runaway query
// answers quickly instead of holding a connection; explicit settings in the URL win.
func postgresDSN(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for name, value := range map[string]string{"connect_timeout": "5", "statement_timeout": "30000",
		"idle_in_transaction_session_timeout": "60000",
		// JIT compiles plans above a cost threshold; for these short queries the compilation
		// (up to 1.5 s seen) costs more than it saves
		"jit": "off"} {
		if q.Get(name) == "" {
			q.Set(name, value)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.sqlDB.PingContext(ctx)
}

// SQL exposes the pool for metrics and migrations.
func (s *Store) SQL() *sql.DB { return s.sqlDB }

// Close stops the replicas' checks and releases every connection.
func (s *Store) Close() error { return errors.Join(s.closeReplicas(), s.sqlDB.Close()) }

// Tx runs fn in one transaction: all of its writes land, or none do. When it returns, the
// writes are on disk.
func (s *Store) Tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return s.TxClosing(ctx, func(tx *gorm.DB) (Closing, error) { return nil, fn(tx) })
}

// Closing is the last step of a transaction of TxClosing: writes that take a lock every writer
// of a kind queues on (an organisation's case-number counter).
type Closing func(tx *gorm.DB) error

// TxClosing runs fn in one transaction and then the closing step fn returns (nil for none), as
// the transaction's last statements: nothing fn does can come after it, so its lock is held
// for its own statements and the commit instead of the whole transaction. On PostgreSQL the
// lock is released as soon as the commit is written, before it is flushed to disk: with a
// flush taking milliseconds, waiting for it while holding the lock would let only a few hundred
// such transactions through a second. TxClosing waits for the flush itself before returning, so
// nothing is acknowledged before it is durable; a crash in between loses a transaction no client
// was told about, and nothing that read it can have been acknowledged either, as the WAL is
// flushed in order. SQLite has one writer at a time anyway.
func (s *Store) TxClosing(ctx context.Context, fn func(tx *gorm.DB) (Closing, error)) error {
	return s.Pinned(ctx, func(conn *gorm.DB) error {
		early := false
		err := conn.Transaction(func(tx *gorm.DB) error {
			closing, err := fn(tx)
			if err != nil || closing == nil {
				return err
			}
			if s.Dialect == Postgres {
				if err := tx.Exec("SET LOCAL synchronous_commit = off").Error; err != nil {
					return err
				}
				early = true
			}
			return closing(tx)
		})
		if err != nil || !early {
			return err
		}
		// A transaction-scoped message is a write: its commit waits, with synchronous_commit
		// on, until the WAL is flushed past it, and so past the early commit that preceded it.
		// Flushes are shared between concurrent commits, as any commit's are.
		return conn.Exec("SELECT pg_logical_emit_message(true, 'tcd', '')").Error
	})
}

// Pinned runs fn with one connection of the pool for all of its statements. A busy pool hands
// a freed connection to a waiter picked at random (database/sql), so a request that takes one
// per statement waits its turn once per statement: under load, a dozen lookups in a row made
// the slowest requests several times slower than the rest.
func (s *Store) Pinned(ctx context.Context, fn func(conn *gorm.DB) error) error {
	return s.DB.WithContext(ctx).Connection(fn)
}

// IsUniqueViolation reports whether err comes from a unique constraint, on either database.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 23505") || strings.Contains(msg, "UNIQUE constraint failed")
}

// InsertRows inserts rows into table, each the values of columns in that order, in multi-row
// statements of RowsPerStatement(db) rows, each ended by suffix (an ON CONFLICT clause, or "").
// A value may be an expression (gorm.Expr). Rows given to GORM as maps went through its model
// parser first, which fails on a map and says so in an error message it then drops: a tenth of
// a bulk import's CPU on PostgreSQL.
func InsertRows(ctx context.Context, db *gorm.DB, table string, columns []string, rows [][]any, suffix string) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ") + ")"
	insert := "INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES "
	for chunk := range slices.Chunk(rows, RowsPerStatement(db)) {
		args := make([]any, 0, len(chunk)*len(columns))
		for _, r := range chunk {
			args = append(args, r...)
		}
		values := strings.TrimSuffix(strings.Repeat(one+", ", len(chunk)), ", ")
		if err := db.WithContext(ctx).Exec(insert+values+suffix, args...).Error; err != nil {
			return err
		}
	}
	return nil
}

// SetBySeq sets column of the rows of table whose seq is seqs[i] to values[i], in statements of
// RowsPerStatement(db) rows (UPDATE … SET column = CASE seq WHEN … END), each also setting also
// (", root_seq = seq", or ""): a statement per row took minutes at a national register.
func SetBySeq(ctx context.Context, db *gorm.DB, table, column string, seqs []int64, values []any, also string) error {
	per := RowsPerStatement(db)
	for start := 0; start < len(seqs); start += per {
		chunk := seqs[start:min(start+per, len(seqs))]
		args := make([]any, 0, 2*len(chunk)+1)
		for i, seq := range chunk {
			args = append(args, seq, values[start+i])
		}
		set := "UPDATE " + table + " SET " + column + " = CASE seq" + strings.Repeat(" WHEN ? THEN ?", len(chunk)) + " END" + also + " WHERE seq IN ?"
		if err := db.WithContext(ctx).Exec(set, append(args, chunk)...).Error; err != nil {
			return err
		}
	}
	return nil
}

// RowsPerStatement is how many rows a multi-row statement on db writes or names at most: the
// SQLite driver binds parameters in time quadratic in their number, so a hundred there, while
// PostgreSQL takes a thousand (below its 65,535 parameters even at 60 columns), a round trip
// instead of ten for a bulk write.
func RowsPerStatement(db *gorm.DB) int {
	if db.Dialector.Name() == "postgres" {
		return 1000
	}
	return 100
}
