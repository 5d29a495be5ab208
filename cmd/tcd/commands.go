package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"os/user"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tcd-registry/tcd/internal/app"
	"github.com/tcd-registry/tcd/internal/auth"
	"github.com/tcd-registry/tcd/internal/config"
	"github.com/tcd-registry/tcd/internal/store"

	_ "github.com/tcd-registry/tcd/api" // the generated OpenAPI document served at /swagger
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "tcd",
		Short:         "The citizen-reception case registry (Sổ tiếp công dân)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(serveCmd(), migrateCmd(), tokenCmd(), exportCmd(), versionCmd())
	root.AddCommand(dedupCmd(), userCmd(), importCmd())
	root.AddCommand(healthcheckCmd())
	strictUsage(root) // last: it covers every command added above
	return root
}

func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Apply pending migrations and serve the HTTP API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load()
			if err != nil {
				return err
			}
			log := newLogger(cfg)
			if cfg.MemoryLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
				debug.SetMemoryLimit(cfg.MemoryLimit)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			a, err := app.Open(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer a.Close()
			// before listening, so that /readyz says ready only once the first duplicate lookups
			// are as fast as the next; the command-line tools, which look up nothing, skip it
			if err := a.Registry.Duplicates().WarmPersons(ctx, log); err != nil {
				return fmt.Errorf("parse common names for duplicate search: %w", err)
			}
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return err
			}
			log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("database", string(a.Store.Dialect)),
				slog.String("version", version))
			return a.Serve(ctx, ln)
		},
	}
}

// openStore opens the configured database for the operator commands.
func openStore(ctx context.Context) (*store.Store, config.Config, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, cfg, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, store.Options{MaxOpenConns: 4})
	return st, cfg, err
}

func migrateCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Apply, roll back or list database migrations"}
	cmd.AddCommand(&cobra.Command{
		Use: "up", Short: "Apply every pending migration", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.MigrateUp(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "applied %d migration(s)\n", n)
			return nil
		},
	}, &cobra.Command{
		Use: "down", Short: "Roll back the newest migration", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			v, err := st.MigrateDown(cmd.Context())
			if err != nil {
				return err
			}
			if v == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "nothing to roll back")
				return nil
			}
			fmt.Fprintf(cmd.OutOrStdout(), "rolled back migration %d\n", v)
			return nil
		},
	}, &cobra.Command{
		Use: "status", Short: "List migrations and whether each is applied", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, _, err := openStore(cmd.Context())
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.MigrationStatus(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "VERSION\tSTATE\tFILE")
			for _, m := range list {
				state := "pending"
				if m.Applied {
					state = "applied"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\n", m.Version, state, m.Name)
			}
			return w.Flush()
		},
	})
	return cmd
}

func tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create, list and revoke API tokens"}
	var role, name, orgCode, expires string
	create := &cobra.Command{
		Use:   "create --role ROLE --name NAME [--org CODE] [--expires 720h|YYYY-MM-DD]",
		Short: "Create a token; its secret is printed once, alone on the last line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openApp(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			r, ok := auth.ParseRole(role)
			if !ok {
				return fmt.Errorf("--role must be one of admin, staff, auditor, agency")
			}
			in := auth.NewToken{Name: name, Role: r}
			if orgCode != "" {
				org, err := a.Orgs.ByCode(cmd.Context(), orgCode)
				if err != nil {
					return err
				}
				in.OrgID = &org.ID
			}
			if expires != "" {
				t, err := parseExpiry(expires, time.Now())
				if err != nil {
					return err
				}
				in.ExpiresAt = &t
			}
			secret, tok, err := a.Tokens.Create(cmd.Context(), cliActor(), in)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "created token %q (role %s)", tok.Name, tok.Role)
			if orgCode != "" {
				fmt.Fprintf(out, ", scoped to organisation %s", orgCode)
			}
			fmt.Fprintln(out, "; keep the secret below, it is not shown again:")
			fmt.Fprintln(out, secret)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", "", "admin, staff, auditor or agency")
	create.Flags().StringVar(&name, "name", "", "a unique name, shown in the audit log")
	create.Flags().StringVar(&orgCode, "org", "", "scope the token to this organisation's subtree (its code)")
	create.Flags().StringVar(&expires, "expires", "", "expiry: a duration such as 720h or a date YYYY-MM-DD")
	_ = create.MarkFlagRequired("role")
	_ = create.MarkFlagRequired("name")

	list := &cobra.Command{
		Use: "list", Short: "List tokens (never their secrets)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openApp(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			toks, err := a.Tokens.List(cmd.Context())
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tROLE\tORG\tCREATED\tEXPIRES\tLAST USED\tSTATE")
			for _, t := range toks {
				state := "active"
				switch {
				case t.RevokedAt != nil:
					state = "revoked"
				case t.ExpiresAt != nil && time.Now().After(*t.ExpiresAt):
					state = "expired"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, orDash(t.OrgID), t.CreatedAt.Format(time.RFC3339),
					timeOrDash(t.ExpiresAt), timeOrDash(t.LastUsedAt), state)
			}
			return w.Flush()
		},
	}
	var revokeName string
	revoke := &cobra.Command{
		Use: "revoke --name NAME", Short: "Revoke a token; it stops working at once", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openApp(cmd.Context())
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.Tokens.Revoke(cmd.Context(), cliActor(), revokeName); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked token %q\n", revokeName)
			return nil
		},
	}
	revoke.Flags().StringVar(&revokeName, "name", "", "the token's name")
	_ = revoke.MarkFlagRequired("name")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// openApp opens the database the way serve does (migrating it and creating the default
// organisation), so token commands work on a fresh database too.
func openApp(ctx context.Context) (*app.App, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	return app.Open(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// cliActor is who acts through the command line, for the audit log: the operating-system
// user running it, with every right (whoever runs it holds the database's credentials).
func cliActor() auth.Actor {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return auth.Actor{Name: "cli:" + name, Role: auth.Admin}
}

// parseExpiry reads --expires: a positive duration from now, or a date (the token expires as
// that day begins, UTC), which must lie ahead: a token that is expired when made is a mistake.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(d).UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("--expires %s is not in the future: the token would never work", s)
		}
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--expires must be a positive duration (720h) or a date (YYYY-MM-DD), got %q", s)
}

func orDash(s *string) string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return "-"
	}
	return *s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "Print the version", Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), "tcd", version) },
	}
}
