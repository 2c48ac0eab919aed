import TesseraCore
import Testing

@Suite("CSV export text")
struct CSVTextTests {
    @Test("cells are quoted only when needed, lists joined, objects as JSON, formulas made text")
    func cells() throws {
        let record = try JSONParser.parse(
            #"{"a":"plain","b":"x,y","c":"say \"hi\"\nbye","d":["vip","new"],"e":{"lat":31.2},"f":null,"g":-5,"#
                + #""h":"=1+1","i":"@SUM(A1)","j":true,"k":"-cmd","l":"中文"}"#
        )
        let row = CSVText.row(CSVText.cells(record, columns: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "missing"]))
        #expect(row == "plain,\"x,y\",\"say \"\"hi\"\"\nbye\",vip;new,\"{\"\"lat\"\":31.2}\",,-5,'=1+1,'@SUM(A1),true,'-cmd,中文,\r\n")
    }
}
