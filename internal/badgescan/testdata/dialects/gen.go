//go:build ignore

// gen writes the dialect fixtures with exact bytes. Editors and git settings
// like to "fix" line ends and encodings, which would quietly turn a
// Windows-1252 or CRLF fixture into one more UTF-8/LF file; spelling the
// bytes out here keeps them honest. Run from this directory:
//
//	go run gen.go
package main

import (
	"log"
	"os"
	"unicode/utf16"
)

func main() {
	files := map[string][]byte{
		"comma-utf8.csv": []byte("First Name,Last Name,Email,Company,Notes\n" +
			"Ana,Nuñez,ana@example.com,Acme,\"Wants a demo, Q3\"\n" +
			"Jörg,Müller,jm@example.de,Société Générale,\n"),

		// No final newline: many exporters stop at the last cell.
		"comma-utf8-bom.csv": []byte("\xEF\xBB\xBFBadge ID, First Name ,Email\n" +
			"1001,Zoë,zoe@example.com\n" +
			"1002,Ana,ana@example.com"),

		// Excel in a German or French locale: ';', CRLF, Windows-1252, and
		// decimal commas in the data that must not sway the sniff.
		"semicolon-windows1252.csv": []byte("Vorname;Nachname;Firma;Budget;Notiz\r\n" +
			"Ana;Nu\xF1ez;Soci\xE9t\xE9 G\xE9n\xE9rale;\x80 1.250,00;\"Preis; inkl. MwSt\"\r\n" +
			"J\xFCrgen;M\xFCller;M\xFCller GmbH;\x80 99,50;Halle 4 \x96 Stand B12\r\n"),

		// Excel's "Unicode text": UTF-16LE with BOM, tabs, CRLF, quotes
		// only where needed, and a character outside the BMP.
		"tab-utf16le-bom.txt": utf16le("First Name\tLast Name\tEmail\tCompany\r\n" +
			"Ana\tNuñez\tana@example.com\tSociété Générale\r\n" +
			"Li\t李\tli@example.cn\t\"Stand \"\"B12\"\"\"\r\n" +
			"Sam\tO'Neil 🙂\tsam@example.com\tAcme, Inc.\r\n"),

		"crlf-quoted-multiline.csv": []byte("Badge,Name,Notes\r\n" +
			"A1,Ana,\"Met at booth, wants pricing\r\nCall back Monday\"\r\n" +
			"A2,Bo,\"Said \"\"maybe\"\"\"\r\n" +
			"A3,Cy,plain\r\n"),

		"ragged.csv": []byte("Badge,Name,Email,,Phone\n" +
			"B1,Ana\n" +
			"B2,Bo,bo@example.com,,555-0100,extra,more\n" +
			"B3,Cy,cy@example.com,,555-0101\n" +
			"B4\n"),

		"blank-lines.csv": []byte("\n" +
			"   \n" +
			"Name,Email\n" +
			"\n" +
			"Ana,ana@example.com\n" +
			",,\n" +
			" , \t,\n" +
			"\r\n" +
			"Bo,bo@example.com\n" +
			"\n" +
			"\n"),

		"empty.csv": {},

		"only-bom.csv": []byte("\xEF\xBB\xBF"),

		"header-only.csv": []byte("Badge,Name,Email\r\n"),

		"stray-quotes.csv": []byte("Badge,Product,Notes\n" +
			"S1,5\" display,ok\n" +
			"S2,\"12\"\" tablet\",fine\n" +
			"S3,Say \"hi\" twice,x\n" +
			"S4,\"quoted \"bad\" inner\",y\n" +
			"S5,trailing quote\",z\n"),
	}
	for name, b := range files {
		if err := os.WriteFile(name, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func utf16le(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}
