import OptLabCommands

OptLabCommand.mainEntry()
