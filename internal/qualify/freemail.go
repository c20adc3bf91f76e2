package qualify

// freeMail lists consumer mail providers. A campaign that wants business
// email only treats an address here as not fitting: a person at gmail.com
// gives no company to qualify.
var freeMail = map[string]bool{
	"gmail.com": true, "googlemail.com": true, "yahoo.com": true, "yahoo.co.uk": true, "yahoo.fr": true,
	"yahoo.de": true, "ymail.com": true, "hotmail.com": true, "hotmail.co.uk": true, "hotmail.fr": true,
	"hotmail.de": true, "outlook.com": true, "live.com": true, "msn.com": true, "aol.com": true,
	"icloud.com": true, "me.com": true, "mac.com": true, "proton.me": true, "protonmail.com": true,
	"pm.me": true, "gmx.de": true, "gmx.net": true, "gmx.com": true, "web.de": true, "t-online.de": true,
	"mail.com": true, "yandex.ru": true, "yandex.com": true, "mail.ru": true, "zoho.com": true,
	"qq.com": true, "163.com": true, "126.com": true, "naver.com": true, "orange.fr": true, "free.fr": true,
	"laposte.net": true, "libero.it": true, "virgilio.it": true, "btinternet.com": true, "comcast.net": true,
	"verizon.net": true, "att.net": true, "fastmail.com": true, "hey.com": true, "tutanota.com": true,
	"seznam.cz": true, "wp.pl": true, "o2.pl": true, "rediffmail.com": true, "uol.com.br": true,
	"bol.com.br": true, "rocketmail.com": true, "live.co.uk": true, "sky.com": true,
}

// FreeMail reports whether domain (lower case) is a consumer mail
// provider's: it names a person's mailbox, never their company.
func FreeMail(domain string) bool { return freeMail[domain] }
