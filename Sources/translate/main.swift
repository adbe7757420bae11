import TranslateCLI

TranslateCommand.main()
