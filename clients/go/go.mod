module github.com/vobiz/vobiz-vault/clients/go

go 1.19
