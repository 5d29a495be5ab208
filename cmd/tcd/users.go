package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tcd-registry/tcd/internal/accounts"
	"github.com/tcd-registry/tcd/internal/app"
)

// userCmd manages staff accounts from the server's command line: how the first administrator
// comes to exist, and the way back in when every administrator is locked out. The audit log
// names the operating-system user who ran it.
func userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Create staff accounts, reset their passwords, disable them"}
	var username, role, orgCode, displayName string
	create := &cobra.Command{
		Use:   "create --username U --role ROLE [--org CODE] [--display-name NAME]",
		Short: "Create a user; its one-time password is printed once, alone on the last line",
		Args:  cobra.NoArgs,
		RunE: withApp(func(cmd *cobra.Command, a *app.App) error {
			in := accounts.NewUser{Username: username, Role: role, DisplayName: displayName}
			if orgCode != "" {
				org, err := a.Orgs.ByCode(cmd.Context(), orgCode)
				if err != nil {
					return err
				}
				in.OrgID = &org.ID
			}
			u, password, err := a.Accounts.Create(cmd.Context(), cliActor(), in)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "created user %q (role %s)", u.Username, u.Role)
			if orgCode != "" {
				fmt.Fprintf(out, ", scoped to organisation %s", orgCode)
			}
			printOneTimePassword(out, password)
			return nil
		}),
	}
	create.Flags().StringVar(&username, "username", "", "the sign-in name: 3-64 letters a-z, digits, '.', '_', '-'")
	create.Flags().StringVar(&role, "role", "", "admin, staff, auditor or agency")
	create.Flags().StringVar(&orgCode, "org", "", "scope the user to this organisation's subtree (its code)")
	create.Flags().StringVar(&displayName, "display-name", "", "the person's name as shown (default: the username)")
	_ = create.MarkFlagRequired("username")
	_ = create.MarkFlagRequired("role")

	reset := &cobra.Command{
		Use:   "reset-password --username U",
		Short: "Give a user a new one-time password (printed alone on the last line) and end its sessions",
		Args:  cobra.NoArgs,
		RunE: withApp(func(cmd *cobra.Command, a *app.App) error {
			u, err := a.Accounts.ByUsername(cmd.Context(), username)
			if err != nil {
				return err
			}
			u, password, err := a.Accounts.ResetPassword(cmd.Context(), cliActor(), u.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "reset the password of %q and ended its sessions", u.Username)
			printOneTimePassword(cmd.OutOrStdout(), password)
			return nil
		}),
	}
	reset.Flags().StringVar(&username, "username", "", "the user's username")
	_ = reset.MarkFlagRequired("username")

	disable := &cobra.Command{
		Use:   "disable --username U",
		Short: "Disable a user: its sessions end at once and it can no longer sign in",
		Args:  cobra.NoArgs,
		RunE: withApp(func(cmd *cobra.Command, a *app.App) error {
			u, err := a.Accounts.Disable(cmd.Context(), cliActor(), username)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "disabled user %q and ended its sessions\n", u.Username)
			return nil
		}),
	}
	disable.Flags().StringVar(&username, "username", "", "the user's username")
	_ = disable.MarkFlagRequired("username")
	cmd.AddCommand(create, reset, disable)
	return cmd
}

// withApp runs fn with the service opened as serve opens it, and closes it after.
func withApp(fn func(cmd *cobra.Command, a *app.App) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		a, err := openApp(cmd.Context())
		if err != nil {
			return err
		}
		defer a.Close()
		return fn(cmd, a)
	}
}

func printOneTimePassword(out io.Writer, password string) {
	fmt.Fprintln(out, "; hand over the one-time password below, which must be changed at the first sign-in:")
	fmt.Fprintln(out, password)
}
