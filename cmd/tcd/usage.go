package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// usageError is a command line tcd does not understand. It exits with status 2, as Unix tools
// do, so that a script (or a container's HEALTHCHECK) tells a typo from a failure.
type usageError struct{ error }

// strictUsage makes every command of the tree answer a command line it does not understand
// with a usageError: a group of subcommands given an unknown one ("tcd migrate sideways")
// would otherwise print its help and succeed, and a wrong flag or argument count would exit 1
// like any failure.
func strictUsage(cmd *cobra.Command) {
	if cmd.HasSubCommands() && cmd.Run == nil && cmd.RunE == nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q", args[0], c.CommandPath())
			}
			return nil
		}
		cmd.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	}
	if check := cmd.Args; check != nil {
		cmd.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	for _, sub := range cmd.Commands() {
		strictUsage(sub)
	}
}
