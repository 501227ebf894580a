import { expect } from 'chai';
import iconv from 'iconv-lite';
import { charsetFamily, Utf8Sniffer } from '../../src/app/members/charset-sniffer.js';

/** Feeds `buf` cut at every given offset. */
function sniff(buf: Buffer, cuts: number[] = []): Utf8Sniffer {
  const s = new Utf8Sniffer();
  let from = 0;
  for (const at of [...cuts, buf.length]) {
    s.push(buf.subarray(from, at));
    from = at;
  }
  s.end();
  return s;
}

describe('charset-sniffer', () => {
  it('S2: charsets are sorted into UTF-8, ASCII-based and others', () => {
    expect(['utf-8', 'UTF8', 'utf8'].map(charsetFamily)).to.deep.equal(['utf-8', 'utf-8', 'utf-8']);
    expect(['windows-1251', 'koi8-r', 'iso-8859-1', 'cp866', 'latin1'].map(charsetFamily)).to.deep.equal(Array(5).fill('ascii-based'));
    expect(['utf-16le', 'utf-16be', 'utf-32le'].map(charsetFamily)).to.deep.equal(['other', 'other', 'other']);
  });

  it('S2: a UTF-8 file cut at every byte is valid, and its first multi-byte character is found by line', () => {
    const buf = Buffer.from('Ann,5550001\r\nBob,5550002\nІван 😀,5550003\nZoë,5550004\n');
    for (let cut = 1; cut < buf.length; cut++) {
      const s = sniff(buf, [cut]);
      expect(s.firstInvalidLine, `cut at ${cut}`).to.equal(undefined);
      expect(s.firstMultibyteLine, `cut at ${cut}`).to.equal(3);
      expect(s.looksUtf8).to.equal(true);
    }
    const tiny = sniff(buf, Array.from({ length: buf.length - 1 }, (_, i) => i + 1));
    expect(tiny.firstMultibyteLine).to.equal(3);
  });

  it('S2: plain ASCII is valid but does not look like UTF-8 (it reads the same in any ASCII-based charset)', () => {
    const s = sniff(Buffer.from('Ann,5550001\nBob,5550002\n'));
    expect(s.firstInvalidLine).to.equal(undefined);
    expect(s.looksUtf8).to.equal(false);
  });

  it('S2: the line of the first byte that is not UTF-8 is found, wherever the chunks are cut', () => {
    const buf = Buffer.concat([Buffer.from('Ann,5550001\nЗоя,5550002\n'), iconv.encode('Іван,5550003\n', 'windows-1251'), Buffer.from('Bob,1\n')]);
    for (let cut = 1; cut < buf.length; cut++) {
      const s = sniff(buf, [cut]);
      expect(s.firstInvalidLine, `cut at ${cut}`).to.equal(3);
      expect(s.looksUtf8).to.equal(false);
    }
  });

  it('S2: overlong forms, surrogates and a character cut off at the end of the file are not UTF-8', () => {
    expect(sniff(Buffer.from([0x41, 0x0a, 0xc0, 0xaf])).firstInvalidLine).to.equal(2);
    expect(sniff(Buffer.from([0x0a, 0x0a, 0xed, 0xa0, 0x80])).firstInvalidLine).to.equal(3);
    expect(sniff(Buffer.from([0x41, 0x0a, 0xf4, 0x90, 0x80, 0x80])).firstInvalidLine).to.equal(2);
    expect(sniff(Buffer.from([0x41, 0x0a, 0x42, 0xd0])).firstInvalidLine).to.equal(2);
  });
});
